// Logins remembered for IRC moderator commands.
const DIRECTORY_SIZE = 100_000;

/**
 * Logins and user ids, both ways: moderator commands name a user (`/ban
 * alice`) while Chorus's actions take ids, and CLEARCHAT names the login
 * while a `clear` event carries the id. Learnt from the lines IRC clients
 * receive and from IRC logins; bounded, the least recently noted forgotten first.
 */
export class UserDirectory {
  readonly #ids = new Map<string, string>();
  readonly #logins = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = DIRECTORY_SIZE) {
    this.#capacity = capacity;
  }

  note(name: string, id: string): void {
    const login = name.toLowerCase();
    if (this.#ids.get(login) === id) return;
    remember(this.#ids, login, id, this.#capacity);
    remember(this.#logins, id, login, this.#capacity);
  }

  idOf(login: string): string | undefined {
    return this.#ids.get(login.toLowerCase());
  }

  loginOf(id: string): string | undefined {
    return this.#logins.get(id);
  }
}

function remember(map: Map<string, string>, key: string, value: string, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value!);
}
