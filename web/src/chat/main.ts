// The chat page, /s/:stream: wires the connection to the list, the send box,
// the status bar and (for moderators) the moderator tools.
import { byId } from '../shared/dom.ts';
import { DEFAULT_MODES, MODERATOR_ROLES, type Modes, type Role, type User } from '../shared/wire.ts';
import { ChatConnection } from './connection.ts';
import { fallBackToLogin, offerDevLogin, tokenFromFragment } from './login.ts';
import { renewTokenBeforeExpiry } from './token-renewal.ts';
import { MessageList } from './message-list.ts';
import { ModActions } from './mod-actions.ts';
import { ModPanel } from './mod-panel.ts';
import { ModlogPanel } from './modlog-panel.ts';
import { UserCard } from './user-card.ts';
import { PinnedBar } from './pinned-bar.ts';
import { ReplyBox } from './reply-box.ts';
import { ReviewQueue } from './review-queue.ts';
import { SendBox } from './send-box.ts';
import { StatusBar } from './status-bar.ts';
import { loadLook, PLAIN_LOOK, type StreamLook } from './stream-look.ts';
import { wireTimestampToggle } from './timestamps.ts';
import { RestrictedMarks } from './restricted-marks.ts';
import { WarningPrompt } from './warning-prompt.ts';
import { applyOverlay, overlayOptions } from './overlay.ts';

const MAX_ROWS = 150;
// An OBS overlay (?overlay=1) is read-only: it never signs in, whatever the fragment holds.
const overlay = overlayOptions(location.search);
if (overlay !== null) applyOverlay(overlay);

const stream = decodeURIComponent(location.pathname.split('/')[2] ?? '');
document.title = `${stream} · Chorus chat`;
byId('stream-name').textContent = stream;

let token = overlay === null ? tokenFromFragment() : null;
let me: User | null = null;
let moderator = false;
let modes: Modes = { ...DEFAULT_MODES };
let look: StreamLook = PLAIN_LOOK;

const scheduleRenewal = renewTokenBeforeExpiry(document.body.dataset.dev === 'true', () => token, (fresh) => {
  token = fresh;
  connection.renewToken(fresh);
});

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const connection: ChatConnection = new ChatConnection(wsUrl, stream, {
  welcome(frame) {
    me = frame.user;
    // Own keys only: the page may be open on a stream named `constructor`.
    showRoles(frame.roles !== null && Object.hasOwn(frame.roles, stream) ? frame.roles[stream]! : []);
    sendBox.setSignedIn(me !== null, frame.limits.maxTextLength);
    replyBox.setEnabled(me !== null);
    scheduleRenewal(frame.expiresInMs);
  },
  joined(frame, resumed) {
    // The token's roles and those the broadcaster granted on the server.
    if (frame.roles !== undefined) showRoles(frame.roles);
    sendBox.rejoined();
    if (resumed) list.add(frame.history);
    else list.reset(frame.history);
    showModes(frame.state.modes);
    status.showState(frame.state);
    pinned.show(frame.state.pinned);
  },
  messages: (msgs) => list.add(msgs),
  other(frame) {
    if (frame.type === 'held') review.take(frame);
    else if (frame.type === 'modlog') {
      modlog.take(frame);
      userCard.take(frame);
    } else if (frame.type === 'reviewed') {
      review.take(frame);
      if (me !== null && frame.user === me.id) byId('send-status').textContent = `Your held message "${frame.text}" was ${frame.outcome}.`;
    } else if (frame.type === 'retract') {
      list.retract(frame.ids, frame.by);
      replyBox.forget(frame.ids);
    } else if (frame.type === 'restricted') {
      const { type: _type, ...message } = frame;
      // Its author sees it as any line of theirs (a shadow ban); moderators see it marked.
      if (moderator) restricted.note(message.id);
      list.add([message]);
    } else if (frame.type === 'warning') {
      warning.show(frame.reason);
    } else if (frame.type === 'clear') {
      // Without a user: a moderator's /clear, every line.
      if (frame.user === undefined) list.clearAll();
      else {
        list.clearUser(frame.user);
        if (frame.user === me?.id) sendBox.restrict(frame.reason, frame.seconds);
      }
    }
    else if (frame.type === 'state') {
      showModes(frame.modes);
      status.showState(frame);
      pinned.show(frame.pinned);
    } else if (frame.type === 'error' && frame.code === 'unauthorized' && frame.nonce === undefined && token !== null) {
      // The refusal of the token this page signed in with (auth frames carry no nonce).
      token = null;
      byId('send-status').textContent = frame.message;
      fallBackToLogin(stream, frame.message, signIn);
    } else if (frame.type === 'error') byId('send-status').textContent = frame.message;
  },
  status: (s) => status.showConnection(s),
  expired() {
    token = null;
    byId('send-status').textContent = 'Your session expired: sign in again to chat.';
  },
});
const request = (frame: Record<string, unknown>) => connection.request(frame);

const status = new StatusBar();
const modPanel = new ModPanel({ stream, request, token: () => token });
const review = new ReviewQueue({ stream, request, token: () => token, report: (text) => modPanel.report(text) });
const modlog = new ModlogPanel({ stream, token: () => token, report: (text) => modPanel.report(text) });
byId<HTMLDetailsElement>('mod-panel').addEventListener('toggle', (event) => {
  if (!(event.target as HTMLDetailsElement).open) return;
  void review.load();
  void modlog.load();
});
const listElement = byId<HTMLOListElement>('messages');
const userCard = new UserCard(listElement, { stream, request, token: () => token, report: (text) => modPanel.report(text) });
const modActions = new ModActions(listElement, request, (text) => modPanel.report(text));
const restricted = new RestrictedMarks();
const warning = new WarningPrompt(byId<HTMLButtonElement>('acknowledge'), byId('send-status'), request);
const replyBox = new ReplyBox(listElement, byId('replying'), byId<HTMLInputElement>('send-text'));
const pinned = new PinnedBar(byId('pinned'), request, (text) => modPanel.report(text));
const list = new MessageList(listElement, byId<HTMLButtonElement>('jump'), {
  maxRows: overlay?.lines ?? MAX_ROWS,
  decorate: (row, message) => {
    restricted.decorate(row, message);
    modActions.decorate(row, message);
    replyBox.decorate(row, message);
  },
  look: () => look,
});
wireTimestampToggle(byId<HTMLInputElement>('show-times'), listElement);
const sendBox = new SendBox({
  form: byId<HTMLFormElement>('send'),
  input: byId<HTMLInputElement>('send-text'),
  button: byId<HTMLButtonElement>('send-button'),
  status: byId('send-status'),
  counter: byId('send-count'),
  list,
  send: async (text) => warning.watch(await request({ type: 'send', text, ...replyBox.take() })),
  me: () => me,
  slowSeconds: () => (moderator ? 0 : modes.slowSeconds),
  look: () => look,
});

function showRoles(roles: Role[]): void {
  if (me !== null) me = { ...me, badges: roles };
  moderator = roles.some((r) => MODERATOR_ROLES.includes(r));
  modActions.setModerator(moderator, me?.id ?? null, roles);
  userCard.setModerator(moderator, me?.id ?? null);
  // Names open the user card for moderators: the stylesheet marks them clickable.
  document.body.classList.toggle('moderating', moderator);
  modPanel.show(moderator);
  pinned.setModerator(moderator);
}

function showModes(next: Modes): void {
  modes = next;
  modPanel.showModes(next);
  sendBox.modesChanged();
}

function signIn(fresh: string): void {
  token = fresh;
  connection.setToken(fresh);
}

if (token === null && overlay === null && document.body.dataset.dev === 'true') offerDevLogin(stream, signIn);
// The stream's look (links, images) first, so history is drawn with it; a failed read draws plain text.
void loadLook(stream).then((loaded) => {
  look = loaded;
}).finally(() => connection.start(token));
