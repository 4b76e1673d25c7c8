/**
 * How many times a delivery activity is tried. The workflow's retry policy and the activity both
 * read it: the activity marks its run `failed` only on the last try, so a run waiting out a
 * retry's backoff stays `running` and no other delivery takes it up meanwhile.
 */
export const DELIVERY_ATTEMPTS = 5;
