import type { Encoding, FrameContent, OutboundFrame } from '../fanout/outbound-frame.ts';
import { clearAllFrame, clearFrame, heldFrame, liveFrame, modlogFrame, noticeFrame, restrictedFrame, retractFrame, reviewedFrame, stateFrame, warningFrame } from './server-frames.ts';

/**
 * A fan-out frame as the v1 JSON text of PROTOCOL.md (msg or batch, retract,
 * clear, state): the one text both v1 transports carry, WebSocket frames and
 * SSE events, so it is built once per frame for both.
 */
export const v1Json: Encoding<OutboundFrame, string> = {
  encode: (frame) => v1Text(frame.content),
};

function v1Text(content: FrameContent): string {
  switch (content.kind) {
    case 'msgs':
      return liveFrame(content.stream, content.messages.map((message) => JSON.stringify(message)));
    case 'notice':
      return noticeFrame(JSON.stringify(content.message));
    case 'retract':
      return retractFrame(content.stream, content.ids, content.reason, content.by);
    case 'clear':
      return clearFrame(content.stream, content.user, content.reason, content.seconds);
    case 'clearAll':
      return clearAllFrame(content.stream);
    case 'restricted':
      return restrictedFrame(JSON.stringify(content.message));
    case 'warned':
      return warningFrame(content.stream, content.reason);
    case 'state':
      // Which modes changed is for IRC, which announces each change; v1 sends the whole state.
      return stateFrame(content.stream, content.state);
    case 'held':
      return heldFrame(content.stream, content.held);
    case 'reviewed':
      return reviewedFrame(content.stream, content.id, content.user, content.text, content.outcome, content.seq);
    case 'modlog':
      return modlogFrame(content.entry);
  }
}
