// USERNOTICE lines: a moderator's announcement (msg-id=announcement) and the
// host site's notices (sub, resub, subgift, submysterygift, raid), with the
// msg-param tags tmi.js reads for its subscription, resub, subgift,
// submysterygift and raided events.
import type { Message, SystemNotice } from '../../protocol/types.ts';
import { emotesTag, loginOf, privmsgLine, replyTags, serverLine, userTags, type Tags } from './twitch-lines.ts';

/** A chat line over IRC: an announcement is a USERNOTICE, every other line a PRIVMSG. */
export function chatLine(message: Message): string {
  return message.announcement === undefined ? privmsgLine(message) : usernoticeLine(message, [['msg-id', 'announcement'], ['msg-param-color', message.announcement.toUpperCase()]], '');
}

/** A host site's notice; its trailing text is the user's own words, absent when they had none. */
export function noticeUsernoticeLine(message: Message, notice: SystemNotice): string {
  return usernoticeLine(message, [['msg-id', notice.kind], ...noticeParams(message, notice)], notice.system);
}

function usernoticeLine(message: Message, params: Tags, system: string): string {
  const tags: Tags = [
    ...userTags(message.user),
    ['emotes', emotesTag(message)],
    ['flags', ''],
    ['id', message.id],
    ['login', loginOf(message.user.name)],
    ...params,
    ...replyTags(message),
    ['room-id', message.stream],
    ['system-msg', system],
    ['tmi-sent-ts', String(message.ts)],
    ['user-id', message.user.id],
  ];
  return serverLine(tags, 'USERNOTICE', ['#' + message.stream], message.text === '' ? undefined : message.text);
}

function noticeParams(message: Message, notice: SystemNotice): Tags {
  const plan = notice.plan ?? '1000';
  switch (notice.kind) {
    case 'sub':
    case 'resub':
      return [['msg-param-cumulative-months', String(notice.months ?? 1)], ['msg-param-should-share-streak', '0'], ['msg-param-sub-plan', plan]];
    case 'subgift': {
      const recipient = notice.recipient;
      return [
        ['msg-param-months', String(notice.months ?? 1)],
        ['msg-param-recipient-display-name', recipient?.name ?? ''],
        ['msg-param-recipient-id', recipient?.id ?? ''],
        ['msg-param-recipient-user-name', recipient === undefined ? '' : loginOf(recipient.name)],
        ['msg-param-sub-plan', plan],
      ];
    }
    case 'submysterygift':
      return [['msg-param-mass-gift-count', String(notice.count ?? 1)], ['msg-param-sub-plan', plan]];
    case 'raid':
      return [['msg-param-displayName', message.user.name], ['msg-param-login', loginOf(message.user.name)], ['msg-param-viewerCount', String(notice.viewers ?? 0)]];
  }
}
