import type zhCN from './zh-CN';

/** The shape every locale must fill in completely: zh-CN is the reference. */
export type Messages = typeof zhCN;
export type Locale = 'zh-CN' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'en'];
