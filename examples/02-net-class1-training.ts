/**
 * The BatchNorm lesson's training cells, in rxnn: net_class1 with BN before the
 * activation, trained on the lesson's quadratic regression data.
 * Run: npx ts-node examples/02-net-class1-training.ts
 * The same lines in PyTorch are tools/lesson_example02.py (Debian's PyTorch 1.13);
 * both outputs are quoted in README.md (PyTorch's in test/fixtures/examples-pytorch.json, checked by
 * test/train/examples.test.ts) and agree to every printed digit,
 * because the seeds give the very same data, split, batch order and initial weights.
 */
import { data, fit, manualSeed, mseCal, nn, optim } from 'rxnn';

async function main(): Promise<void> {
  // Cell: torch.manual_seed(420); features, labels = tensorGenReg(w=[2, -1], bias=False, deg=2)
  manualSeed(420);
  const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });

  // Cell: train_loader, test_loader = split_loader(features, labels)
  //   (random_split 700/300, then a shuffled train loader and an unshuffled test loader, batch 10)
  const [trainLoader, testLoader] = data.splitLoader(features, labels);

  // Cell: torch.manual_seed(24); net = net_class1(BN_model='pre')
  //   (linear1 → normalize1 → relu → linear2; Linear's default init draws as PyTorch's)
  manualSeed(24);
  const net = new nn.MLP({ bn: 'pre' });

  // Cell: fit(net, criterion=nn.MSELoss(), optimizer=optim.SGD(net.parameters(), lr=0.03), batchdata=train_loader, epochs=20)
  await fit({
    model: net,
    criterion: new nn.MSELoss(),
    optimizer: new optim.SGD(net.parameters(), { lr: 0.03 }),
    loader: trainLoader,
    epochs: 20,
  });

  // Cell: net.normalize1.weight, .bias, .running_mean, .running_var
  const bn = net.stateDict();
  console.log('normalize1.weight =', bn['normalize1.weight'].toString());
  console.log('normalize1.bias =', bn['normalize1.bias'].toString());
  console.log('normalize1.running_mean =', bn['normalize1.running_mean'].toString());
  console.log('normalize1.running_var =', bn['normalize1.running_var'].toString());

  // Cell: net.eval(); mse_cal(train_loader, net), mse_cal(test_loader, net)
  //   (eval mode: BatchNorm normalises with the running statistics above)
  net.eval();
  console.log('train MSE =', mseCal(trainLoader, net).toString());
  console.log('test MSE =', mseCal(testLoader, net).toString());
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
