// The tutorial's training image: `python train.py EPOCHS ACTIVATION DROPOUT` as Keras prints it, with a
// simulated duration per epoch and the Python traceback when the epoch count is not an integer.
import type { Program } from '../shell/commands.js';

function pyRepr(args: string[]): string {
  return `[${args.map((a) => `'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

const WARNING = [
  '/usr/local/lib/python3.6/site-packages/tensorflow/python/framework/dtypes.py:502: FutureWarning: Passing (type, 1) or \'1type\' as a synonym of type is deprecated; in a future version of numpy, it will be understood as (type, (1,)) / \'(1,)type\'.',
  '  np_resource = np.dtype([("resource", np.ubyte, 1)])',
];

/** Python's int() of a command-line string: surrounding whitespace allowed, digits with an optional sign. */
function pyInt(s: string): number | undefined {
  return /^\s*[-+]?\d+(_\d+)*\s*$/.test(s) ? Number.parseInt(s.replace(/_/g, ''), 10) : undefined;
}

function pyFloat(s: string): number | undefined {
  const n = Number(s.trim());
  return s.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

function traceback(line: number, code: string, error: string): string {
  return `Traceback (most recent call last):\n  File "train.py", line ${line}, in <module>\n    ${code}\n${error}\n`;
}

export const python: Program = async (ctx, argv) => {
  const script = argv[1];
  if (script !== 'train.py' && script !== '/train.py') {
    if (!script) {
      ctx.stderr('Python 3.9.19 interactive mode is not available in this simulation\n');
      return 1;
    }
    ctx.stderr(`python: can't open file '${script}': [Errno 2] No such file or directory\n`);
    return 2;
  }
  const args = argv.slice(1);
  // Importing TensorFlow takes a few seconds before the script reads its arguments.
  await ctx.sys.sleep(3000);
  for (const l of WARNING) ctx.stderr(`${l}\n`);
  if (args.length < 2) {
    ctx.stderr(traceback(11, 'epochs = int(sys.argv[1])', 'IndexError: list index out of range'));
    return 1;
  }
  const epochs = pyInt(args[1] as string);
  if (epochs === undefined) {
    ctx.stderr(traceback(11, 'epochs = int(sys.argv[1])', `ValueError: invalid literal for int() with base 10: '${args[1]}'`));
    return 1;
  }
  if (args.length < 3) {
    ctx.stderr(traceback(12, 'activate = sys.argv[2]', 'IndexError: list index out of range'));
    return 1;
  }
  const activation = args[2] as string;
  if (args.length < 4) {
    ctx.stderr(traceback(13, 'dropout = float(sys.argv[3])', 'IndexError: list index out of range'));
    return 1;
  }
  const dropout = pyFloat(args[3] as string);
  if (dropout === undefined) {
    ctx.stderr(traceback(13, 'dropout = float(sys.argv[3])', `ValueError: could not convert string to float: '${args[3]}'`));
    return 1;
  }
  const out = (s: string) => ctx.stdout(`${s}\n`);
  out(pyRepr(args));
  out('Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz');
  out('11493376/11490434 [==============================] - 1s 0us/step');
  await ctx.sys.sleep(2000);
  const rule = '_'.repeat(65);
  const row = (a: string, b: string, c: string) => `${a.padEnd(29)}${b.padEnd(26)}${c}`;
  out('Model: "sequential_1"');
  out(rule);
  out(row('Layer (type)', 'Output Shape', 'Param #'));
  out('='.repeat(65));
  out(row('dense_1 (Dense)', '(None, 512)', '401920'));
  out(rule);
  out(row('dropout_1 (Dropout)', '(None, 512)', '0'));
  out(rule);
  out(row('dense_2 (Dense)', '(None, 10)', '5130'));
  out('='.repeat(65));
  out('Total params: 407,050');
  out('Trainable params: 407,050');
  out('Non-trainable params: 0');
  out(rule);
  out('Train on 60000 samples, validate on 10000 samples');
  // A learning curve that depends only on the arguments, so a rerun prints the same numbers.
  const good = activation === 'softmax' || activation === 'sigmoid';
  let loss = 0;
  let acc = 0;
  for (let e = 1; e <= epochs; e++) {
    const seconds = 8 + ((e * 7) % 5);
    await ctx.sys.sleep(seconds * 1000);
    const k = 1 - Math.exp(-e * (1.2 - Math.min(Math.max(dropout, 0), 0.9) / 2));
    loss = good ? 0.25 - 0.18 * k : 2.3 - 0.1 * k;
    acc = good ? 0.92 + 0.065 * k : 0.1 + 0.05 * k;
    const vloss = loss * 0.45 + 0.03;
    const vacc = Math.min(0.995, acc + 0.035);
    out(`Epoch ${e}/${epochs}`);
    out(`60000/60000 [==============================] - ${seconds}s ${Math.round((seconds * 1e6) / 60000)}us/step - loss: ${loss.toFixed(4)} - acc: ${acc.toFixed(4)} - val_loss: ${vloss.toFixed(4)} - val_acc: ${vacc.toFixed(4)}`);
  }
  await ctx.sys.sleep(1000);
  out(`Test loss: ${epochs > 0 ? loss * 0.45 + 0.0301234 : 2.3025851249694824}`);
  out(`Test accuracy: ${epochs > 0 ? Math.min(0.995, acc + 0.0351) : 0.098}`);
  return 0;
};
