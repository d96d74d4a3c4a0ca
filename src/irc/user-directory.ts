/**
 * Logins to user ids, for the moderator commands that name a user (`/ban
 * alice`) while Chorus's actions take ids. Learnt from the lines IRC clients
 * receive and from IRC logins; bounded, the least recently seen forgotten first.
 */
export class UserDirectory {
  readonly #ids = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  note(name: string, id: string): void {
    const login = name.toLowerCase();
    if (this.#ids.get(login) === id) return;
    this.#ids.delete(login);
    this.#ids.set(login, id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.keys().next().value!);
  }

  idOf(login: string): string | undefined {
    return this.#ids.get(login.toLowerCase());
  }
}
