import { describe, expect, it } from 'vitest';
import { noticeBlocks } from './privacy';

describe('noticeBlocks', () => {
  it('reads headings, lists and paragraphs from the notice text', () => {
    const body =
      '罗江区通过邻里+提供服务。\n请仔细阅读。\n\n## 一、收集哪些信息\n- 手机号码\n- 所在社区\n其后的说明\n\n# 二、联系我们\n拨打 12345';
    expect(noticeBlocks(body)).toEqual([
      { kind: 'paragraph', text: '罗江区通过邻里+提供服务。\n请仔细阅读。' },
      { kind: 'heading', text: '一、收集哪些信息' },
      { kind: 'list', items: ['手机号码', '所在社区'] },
      { kind: 'paragraph', text: '其后的说明' },
      { kind: 'heading', text: '二、联系我们' },
      { kind: 'paragraph', text: '拨打 12345' },
    ]);
  });

  it('keeps markup as text (nothing is rendered as HTML)', () => {
    expect(noticeBlocks('<script>alert(1)</script>')).toEqual([
      { kind: 'paragraph', text: '<script>alert(1)</script>' },
    ]);
  });
});
