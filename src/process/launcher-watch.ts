/**
 * `npm start` (and npx, yarn, pnpm) runs the server under `sh -c`. npm passes
 * SIGTERM and SIGINT on to its child, but when npm dies without doing so
 * (SIGKILL, a crash) the server is re-parented and would keep its port for
 * good. Run by a package manager, this process treats its launcher's exit as
 * a SIGTERM to itself: the usual drain, whichever mode it runs in. A server
 * started directly (systemd, a container, `nohup`) is not watched, so it
 * keeps running when the shell that started it goes away.
 */
const CHECK_EVERY_MS = 1_000;

/** Package managers set this in every script they run. */
export function startedByPackageManager(env: NodeJS.ProcessEnv): boolean {
  return env.npm_lifecycle_event !== undefined;
}

/** Sends this process SIGTERM once its parent has exited (its ppid changes when it is re-parented). */
export function stopWithLauncher(): void {
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, CHECK_EVERY_MS);
  timer.unref();
}
