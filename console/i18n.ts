/**
 * The console's words in zh-CN (the default) and English. The language is a cookie the switch sets
 * (never a URL parameter); every page takes its words from here.
 */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

const zh = {
  title: '续期收费控制台',
  home: '首页',
  skipToContent: '跳到正文',
  signInHeading: '登录',
  login: '用户名',
  password: '密码',
  signIn: '登录',
  signOut: '退出登录',
  signInRefused: '登录失败：用户名或密码不正确，或账户已停用。',
  signInMissing: '请填写用户名和密码。',
  signInLocked: '登录失败次数过多，请 15 分钟后再试。',
  sessionEnded: '会话已结束，请重新登录。',
  csrfRefused: '请求无法验证（表单已过期）。请返回并重新提交。',
  language: '语言',
  switchLanguage: '切换',
  signedInAs: '当前用户',
  roles: '角色',
  scope: '范围',
  wholeInsurer: '全公司',
  monthHeading: (month: string) => `${month} 月保费`,
  figure: '项目',
  cases: '件数',
  premium: '保费（元）',
  due: '应收',
  paid: '已收',
  inGrace: '宽限期内',
  lapsed: '已失效',
  notFound: '页面不存在。',
  badRequest: '请求无效。',
  failed: '出错了，已记录日志。',
};

const en: typeof zh = {
  title: 'Renewals console',
  home: 'Home',
  skipToContent: 'Skip to content',
  signInHeading: 'Sign in',
  login: 'Login',
  password: 'Password',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInRefused: 'Sign-in refused: unknown login or wrong password, or the account is disabled.',
  signInMissing: 'Enter your login and password.',
  signInLocked: 'Too many failed sign-ins: try again in 15 minutes.',
  sessionEnded: 'Your session has ended: please sign in again.',
  csrfRefused: 'The request could not be verified (the form has expired). Go back and submit it again.',
  language: 'Language',
  switchLanguage: 'Switch',
  signedInAs: 'Signed in as',
  roles: 'Roles',
  scope: 'Scope',
  wholeInsurer: 'Whole insurer',
  monthHeading: (month: string) => `Premiums of ${month}`,
  figure: 'Figure',
  cases: 'Cases',
  premium: 'Premium (yuan)',
  due: 'Due',
  paid: 'Paid',
  inGrace: 'In grace',
  lapsed: 'Lapsed',
  notFound: 'No such page.',
  badRequest: 'The request is not valid.',
  failed: 'Something went wrong; it has been logged.',
};

export type Words = typeof zh;

export function wordsFor(language: Language): Words {
  return language === 'en' ? en : zh;
}

/** Each language named in itself, for the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '中文', en: 'English' };
