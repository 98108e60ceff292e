import { Worker } from 'node:worker_threads';

export const PASSWORD_MAX_LENGTH = 128;

/**
 * zxcvbn's defaults let one crafted 128-character password hold the event loop for over a
 * second. Only the first 64 UTF-16 units are estimated (a password whose start is strong is
 * strong), and few l33t substitutions are tried per word (3 finds the same common passwords as
 * the default 100 in our measurements), which bounds a check to tens of milliseconds.
 */
const ESTIMATED_LENGTH = 64;
const L33T_MAX_SUBSTITUTIONS = 3;

const GENERIC_ADVICE = 'Password is too easy to guess; use a longer one with uncommon words';

/** zxcvbn's verdict, as the worker sends it back. */
interface Estimate {
  score: number;
  warning: string;
  suggestion: string | undefined;
}

/** What runs in the worker: zxcvbn-ts with the common and English dictionaries, loaded once. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const english = require(workerData.english);
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
  maxLength: ${ESTIMATED_LENGTH},
  l33tMaxSubstitutions: ${L33T_MAX_SUBSTITUTIONS},
});
parentPort.on('message', ({ id, password, words }) => {
  const { score, feedback } = zxcvbn.check(password, words);
  parentPort.postMessage({ id, score, warning: feedback.warning, suggestion: feedback.suggestions[0] });
});`;

/**
 * zxcvbn-ts runs in a worker thread of its own, started on first use. Its dictionaries (~22 MB
 * of heap) stay out of the main thread's heap, which V8 lets grow to several times its live size
 * under load (~100 MB more peak RSS in the bench), and an estimate, tens of milliseconds for a
 * crafted password, never holds the event loop. The worker keeps the process alive only while
 * an estimate is pending.
 */
class PasswordEstimator {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve(estimate: Estimate): void; reject(error: Error): void }
  >();

  estimate(password: string, words: string[]): Promise<Estimate> {
    const worker = (this.worker ??= this.start());
    const id = (this.nextId += 1);
    worker.ref(); // while an estimate is pending, the worker keeps the process alive
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, password, words });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        core: require.resolve('@zxcvbn-ts/core'),
        common: require.resolve('@zxcvbn-ts/language-common'),
        english: require.resolve('@zxcvbn-ts/language-en'),
      },
      // Its heap is the dictionaries and one estimate at a time.
      resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 },
    });
    worker.on('message', ({ id, ...estimate }: Estimate & { id: number }) => {
      this.waiting.get(id)?.resolve(estimate);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
    });
    // A worker that died is started again by the next estimate; its callers get the failure.
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', () => this.fail(worker, new Error('The password estimator stopped')));
    return worker;
  }

  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const failed = [...this.waiting.values()];
    this.waiting.clear();
    for (const caller of failed) caller.reject(error);
  }
}

const estimator = new PasswordEstimator();

export interface PasswordContext {
  minLength: number;
  /** zxcvbn score (0-4) a password must reach; 0 accepts any password of a valid length. */
  minScore: number;
  username?: string;
  email?: string;
}

/**
 * The account's own names, which make a password easy to guess for whoever knows them: the
 * username, the email, its local part, and their pieces ("grace", "hopper" of grace.hopper).
 */
function contextWords({ username, email }: PasswordContext): string[] {
  const names = [username, email?.split('@')[0]].filter((name): name is string => Boolean(name));
  const pieces = names.flatMap((name) => name.split(/[^\p{L}\p{N}]+/u));
  const words = [...names, ...pieces, ...(email ? [email] : [])];
  return [...new Set(words.filter((word) => word.length >= 3))];
}

/**
 * NIST SP 800-63B style checks: length in characters, none of the account's own names, then
 * zxcvbn's estimate of how guessable the password is, knowing those names (which catches their
 * derivatives: reversed, l33t, a piece of them). Returns the reason a password is refused, or null.
 */
export async function passwordProblem(
  password: string,
  context: PasswordContext,
): Promise<string | null> {
  const length = [...password].length;
  if (length < context.minLength)
    return `Password must be at least ${context.minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH)
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  // Checked apart because zxcvbn rates a name with a little padding ("x-<username>-x") at
  // score 3, while whoever knows the name needs only a few thousand guesses.
  const lowered = password.toLowerCase();
  const username = context.username?.toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) {
    return 'Password must not contain the username';
  }
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) {
    return 'Password must not contain the email address';
  }
  if (context.minScore === 0) return null;
  const { score, warning, suggestion } = await estimator.estimate(password, contextWords(context));
  if (score >= context.minScore) return null;
  return warning || suggestion || GENERIC_ADVICE;
}
