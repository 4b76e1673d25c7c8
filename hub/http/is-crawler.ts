// Search engines, link previews (chat apps unfurl every shared link) and headless browsers: they
// fetch a referral link without a person behind it, so their hits are not clicks. Plain HTTP tools
// (curl) are left alone: people test their links with them.
const CRAWLER = new RegExp(
  [
    'bot\\b',
    'bot/',
    'crawler',
    'spider',
    'slurp',
    'facebookexternalhit',
    'facebookcatalog',
    'embedly',
    'bingpreview',
    'whatsapp',
    'skypeuripreview',
    'quora link preview',
    'vkshare',
    'redditbot',
    'outbrain',
    'nuzzel',
    'google-inspectiontool',
    'googleother',
    'feedfetcher',
    'mediapartners-google',
    'adsbot',
    'apis-google',
    'lighthouse',
    'headlesschrome',
    'phantomjs',
    'preview',
  ].join('|'),
  'i',
);

/** True for user agents known to be robots or link unfurlers rather than a person's browser. */
export function isCrawler(userAgent: string | undefined): boolean {
  return userAgent !== undefined && CRAWLER.test(userAgent);
}
