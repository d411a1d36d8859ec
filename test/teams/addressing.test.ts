import { describe, expect, it } from 'vitest';
import {
  baseConversationId,
  conversationReference,
  inferConversationType,
  tenantOf,
  threadConversationId,
} from '../../src/teams/addressing';

const CHANNEL = '19:abc123@thread.tacv2';

describe('conversation ids', () => {
  it('finds the channel of a thread, whatever the case of messageid', () => {
    expect(baseConversationId(`${CHANNEL};messageid=1700000000123`)).toBe(CHANNEL);
    expect(baseConversationId(`${CHANNEL};MessageId=1`)).toBe(CHANNEL);
    expect(baseConversationId('a:1xyz')).toBe('a:1xyz');
  });

  it('builds a thread id from a channel id, replacing an existing messageid', () => {
    expect(threadConversationId(CHANNEL, '1700000000123')).toBe(`${CHANNEL};messageid=1700000000123`);
    expect(threadConversationId(`${CHANNEL};messageid=1`, '2')).toBe(`${CHANNEL};messageid=2`);
    expect(() => threadConversationId(CHANNEL, '')).toThrow(TypeError);
  });

  it('tells channels, group chats and personal chats apart by their ids', () => {
    expect(inferConversationType(`${CHANNEL};messageid=5`)).toBe('channel');
    expect(inferConversationType('19:meeting@thread.skype')).toBe('channel');
    expect(inferConversationType('19:group@thread.v2')).toBe('groupChat');
    expect(inferConversationType('a:1xyz')).toBe('personal');
  });
});

describe('tenantOf', () => {
  it('takes conversation.tenantId first, then channelData.tenant.id', () => {
    expect(tenantOf({ conversation: { tenantId: 'conv' }, channelData: { tenant: { id: 'data' } } })).toBe('conv');
    expect(tenantOf({ conversation: {}, channelData: { tenant: { id: 'data' } } })).toBe('data');
    expect(tenantOf({ conversation: { tenantId: '' }, channelData: { tenant: { id: 'data' } } })).toBe('data');
  });

  it('finds none in damaged or missing channel data', () => {
    expect(tenantOf({})).toBeUndefined();
    expect(tenantOf({ channelData: { tenant: { id: '' } } })).toBeUndefined();
    expect(tenantOf({ channelData: { tenant: [{ id: 'x' }] } })).toBeUndefined();
    expect(tenantOf({ channelData: 'tenant' })).toBeUndefined();
  });
});

describe('references', () => {
  it('builds the proactive reference of a thread in a channel, with the bot only when it has an id', () => {
    const target = { conversationId: CHANNEL, serviceUrl: 'https://s/', tenantId: 't' };
    expect(conversationReference(target, threadConversationId(CHANNEL, '9'), 'app-id')).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://s/',
      conversation: { id: `${CHANNEL};messageid=9`, isGroup: true, conversationType: 'channel', name: '', tenantId: 't' },
      bot: { id: 'app-id', name: '' },
    });
    const personal = conversationReference({ conversationId: 'a:1', serviceUrl: 'https://s/' }, 'a:1', '');
    expect(personal).toEqual({ channelId: 'msteams', serviceUrl: 'https://s/', conversation: { id: 'a:1', isGroup: false, conversationType: 'personal', name: '' } });
  });
});
