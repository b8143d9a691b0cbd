/**
 * The secrets the messaging simulators push receipts with. They are public (here, in the
 * repository): only a demo (RENEWALS_ENV=demo: the demo, the local stack, the tests) may fall back
 * on them; production is configured with its own (ALIBABA_RECEIPT_TOKEN, TENCENT_RECEIPT_TOKEN,
 * WECHAT_SERVER_TOKEN, WECHAT_ENCODING_AES_KEY) and refuses these.
 */
export const SIMULATOR_RECEIPT_SECRETS = {
  /** The token in the SmsReport push URL of the Alibaba simulator. */
  alibabaPushToken: 'simulator-alibaba-push-token-public-demo-only',
  /** The token in the status callback URL of the Tencent simulator. */
  tencentPushToken: 'simulator-tencent-push-token-public-demo-only',
  /** The WeChat simulator's server-configuration Token. */
  wechatServerToken: 'SimulatorWechatToken',
  /** The WeChat simulator's EncodingAESKey. */
  wechatEncodingAesKey: 'SimulatorEncodingAesKey0123456789abcdefghij',
} as const;
