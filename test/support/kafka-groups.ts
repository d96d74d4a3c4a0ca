// The members of a broker's consumer groups, as Kafka's coordinator sees them:
// a client that was dropped without leaving its group shows as one more member.
import { Admin } from '@platformatic/kafka';

/** Members of each group whose id contains `contains`, on the broker(s) `brokers` (comma-separated). */
export async function groupMembers(brokers: string, contains: string): Promise<Map<string, number>> {
  const admin = new Admin({ clientId: 'chorus-test-groups', bootstrapBrokers: brokers.split(',') });
  try {
    const ids = [...(await admin.listGroups()).keys()].filter((id) => id.includes(contains));
    if (ids.length === 0) return new Map();
    const groups = await admin.describeGroups({ groups: ids });
    return new Map([...groups].map(([id, group]) => [id, group.members.size]));
  } finally {
    await admin.close();
  }
}
