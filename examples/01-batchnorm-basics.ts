/**
 * The BatchNorm lesson's first cells, in rxnn: BatchNorm1d on arange(9).
 * Run: npx ts-node examples/01-batchnorm-basics.ts
 * Every number printed here is what PyTorch prints for the same cell
 * (test/engine/seed-cells.test.ts holds it to PyTorch's own outputs).
 */
import { arange, manualSeed, nn } from 'rxnn';

const f = arange(9).reshape(3, 3);
console.log('f =', f.toString());

// Cell: bn1 = nn.BatchNorm1d(3); bn1(f) — train mode normalises each column with the batch statistics.
const bn1 = new nn.BatchNorm1d(3);
console.log('\n' + bn1.toString());
console.log('bn1(f) =', bn1.forward(f).toString());

// Cell: the same z-score by hand. BatchNorm divides by the *biased* variance (divisor n);
// torch.var's default is unbiased (divisor n - 1), which gives a different answer.
const centered = f.sub(f.mean(0));
console.log('\n(f - f.mean(0)) / sqrt(f.var(0))                 =', centered.div(f.var(0).sqrt()).toString());
console.log(
  '(f - f.mean(0)) / sqrt(f.var(0, unbiased=False)) =',
  centered.div(f.var(0, { unbiased: false }).sqrt()).toString(),
);

// Cell: the learnable affine parameters gamma (weight) and beta (bias).
console.log('\nlist(bn1.parameters()):');
for (const p of bn1.parameters()) console.log(p.toString());

// Cell: affine=False has no parameters at all.
const bn2 = new nn.BatchNorm1d(3, { affine: false });
console.log(
  '\nBatchNorm1d(3, affine=False) has',
  bn2.parameters().length,
  'parameters; bn2(f) =',
  bn2.forward(f).toString(),
);

// Cell: running statistics after one training batch:
// running_mean = 0.9 * 0 + 0.1 * mean, running_var = 0.9 * 1 + 0.1 * unbiased variance.
console.log('\nbn1.running_mean =', bn1.runningMean!.toString());
console.log('bn1.running_var  =', bn1.runningVar!.toString());
console.log('bn1.num_batches_tracked =', bn1.numBatchesTracked);

// Cell: a fresh layer in eval mode normalises with the running statistics (mean 0, var 1),
// so it returns (almost) its input, and leaves the statistics untouched.
const bn5 = new nn.BatchNorm1d(3).eval();
console.log('\nbn5.eval(); bn5(f) =', bn5.forward(f).toString());
console.log('running stats after eval:', bn5.runningMean!.toString(), bn5.runningVar!.toString());

// Cell: .training of every submodule follows model.train() / model.eval().
manualSeed(24);
const net = new nn.MLP({ bn: 'pre' });
console.log('\n' + net.toString());
console.log(
  'after net.eval():',
  net
    .eval()
    .modules()
    .map((m) => m.training),
);
console.log(
  'after net.train():',
  net
    .train()
    .modules()
    .map((m) => m.training),
);
