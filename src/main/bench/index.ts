import { attentionBlockBench } from './attention-block';
import type { BenchCase } from './bench-case';
import { clientIngestBench } from './client-ingest';
import { clientLogOverheadBench } from './client-log-overhead';
import { hessianHvpBench } from './hessian-hvp';
import { hessianTopEigBench } from './hessian-top-eig';
import { importFolderBench } from './import-folder';
import { importHfBf16Bench } from './import-hf-bf16';
import { importLargeBench } from './import-large';
import { importManyTensorsBench } from './import-many-tensors';
import { importTfeventsBench } from './import-tfevents';
import { metricsClosedFormBench } from './metrics-closed-form';
import { serveCompareBench } from './serve-compare';
import { metricsLmDumpSetBench } from './metrics-lm-dump-set';
import { metricsLmHeadBench } from './metrics-lm-head';
import { metricsWeightsBench } from './metrics-weights';
import { trainCnnStepBench } from './train-cnn-step';
import { trainGptStepBench } from './train-gpt-step';
import { lmBytesEnBench } from './train-lm-bytes';
import { concurrentRunsBench } from './train-concurrent';
import { grokkingMlpBench } from './train-grokking';
import { grokkingInterventionsBench } from './train-interventions';
import { trainStepBench } from './train-step';
import { trainCliBench } from './train-cli';
import { grokkingTransformerBench } from './train-cli-transformer';
import { ncFashionMnistBench } from './train-cli-nc';

/** Every case of `plateau bench`, cheapest first. */
export const BENCH_CASES: BenchCase[] = [
  metricsClosedFormBench,
  metricsWeightsBench,
  trainStepBench,
  trainCnnStepBench,
  trainGptStepBench,
  hessianHvpBench,
  hessianTopEigBench,
  attentionBlockBench,
  concurrentRunsBench,
  serveCompareBench,
  clientLogOverheadBench,
  clientIngestBench,
  importManyTensorsBench,
  importLargeBench,
  importFolderBench,
  importTfeventsBench,
  importHfBf16Bench,
  grokkingMlpBench,
  trainCliBench,
  grokkingTransformerBench,
  grokkingInterventionsBench,
  metricsLmHeadBench,
  lmBytesEnBench,
  metricsLmDumpSetBench,
  ncFashionMnistBench,
];
