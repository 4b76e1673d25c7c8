// The workflow bundle's entry: every workflow type the worker registers.
export { referralLifecycle } from './referral-lifecycle.js';
export { connectorSync } from './connector-sync.js';
export { scheduledDelivery } from './scheduled-delivery.js';
export { hubspotDealStage } from './hubspot-deal-stage.js';
export { connectorRecovery } from './connector-recovery.js';
export { payout } from './payout.js';
export { shareEmail } from './share-email.js';
export { enrolment } from './enrolment.js';
