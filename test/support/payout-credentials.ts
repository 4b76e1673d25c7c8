/** The credentials the payout stand-ins are started with and the connectors are created with, shared by the payout tests. */
export const PAYPAL_CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
export const PAYPAL_CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';
export const TANGO = { platformName: 'ReferralHubTest', platformKey: 'tango-platform-key-0123456789abcdef' };
export const TANGO_ACCOUNT = { accountIdentifier: 'acct-referrals', customerIdentifier: 'cust-referrals' };
export const TANGO_UTID = 'U561593';
export const TREMENDOUS_KEY = 'TEST_Kq9vX2mL7pR4sT8wY1zA3bC6dE5fG0hJ';
