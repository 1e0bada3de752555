import { describe, expect, it } from 'vitest';
import { ApiError, decodeProblem, type Translate } from './problem';

const messages: Record<string, string> = {
  'errors.validation': '请检查填写的内容',
  'errors.otp-cooldown': '请 {retryAfter} 秒后再试',
  'errors.invalid-transition': '当前状态为「{state}」，不能进行此操作',
  'errors.unknown': '出错了',
  'states.closed': '已结案',
  'fields.phone': '手机号',
  'validation.pattern': '{field}格式不正确',
  'validation.invalid': '{field}无效',
};
const t: Translate = (key, params) => {
  const m = messages[key];
  if (m === undefined) return null;
  return m.replace(/\{(\w+)\}/g, (_, k: string) => String(params?.[k] ?? ''));
};

describe('decodeProblem', () => {
  it('translates the code and each field error', () => {
    const err = new ApiError(400, {
      type: 't',
      title: 'Bad Request',
      status: 400,
      code: 'validation',
      errors: [{ field: 'body/phone', message: 'must match pattern', code: 'pattern' }],
    });
    expect(decodeProblem(err, t)).toEqual({
      message: '请检查填写的内容',
      fields: { phone: '手机号格式不正确' },
      code: 'validation',
    });
  });

  it('fills in retry-after and a translated state name', () => {
    const cooldown = new ApiError(429, {
      type: 't',
      title: 'x',
      status: 429,
      code: 'otp-cooldown',
      retryAfter: 42,
    });
    expect(decodeProblem(cooldown, t).message).toBe('请 42 秒后再试');
    const bad = new ApiError(409, {
      type: 't',
      title: 'x',
      status: 409,
      code: 'invalid-transition',
      state: 'closed',
    });
    expect(decodeProblem(bad, t).message).toBe('当前状态为「已结案」，不能进行此操作');
  });

  it('never shows server English for an unknown code or a non-API error', () => {
    const odd = new ApiError(418, {
      type: 't',
      title: "I'm a teapot",
      status: 418,
      code: 'teapot',
      detail: 'short and stout',
    });
    expect(decodeProblem(odd, t).message).toBe('出错了');
    expect(decodeProblem(new Error('boom'), t).message).toBe('出错了');
  });

  it('falls back to a generic field message for an unknown keyword and unknown field name', () => {
    const err = new ApiError(400, {
      type: 't',
      title: 'x',
      status: 400,
      code: 'validation',
      errors: [{ field: 'body/nickname', message: 'too long', code: 'maxLength' }],
    });
    expect(decodeProblem(err, t).fields).toEqual({ nickname: 'nickname无效' });
  });
});
