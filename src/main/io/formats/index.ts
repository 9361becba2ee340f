// The built-in import formats, one registration each. Order is sniffing order, narrower before wider (a
// feature dump is a kind of .npz or .safetensors file), and the order in which formats may claim a folder:
// safetensors before torch, so a Hugging Face folder saved both ways is read lazily and without a pickle.
import { featureDumpFormat } from './feature-dump-format';
import { lmDumpSetFormat } from './lm-dump-set-format';
import { mlflowFormat } from './mlflow-format';
import { npyFormat } from './npy-format';
import { npzFormat } from './npz-format';
import { registerImportFormat } from './registry';
import { safetensorsFormat } from './safetensors-format';
import { tensorboardFormat } from './tensorboard-format';
import { tfjsFormat } from './tfjs-format';
import { torchFormat } from './torch-format';
import { wandbFormat } from './wandb-format';

registerImportFormat(featureDumpFormat);
registerImportFormat(safetensorsFormat);
registerImportFormat(torchFormat);
registerImportFormat(npyFormat);
registerImportFormat(npzFormat);
registerImportFormat(tfjsFormat);
// after tfjs: both are .json, told apart by their keys; a .json that is neither goes to tfjs's reader, which says why
registerImportFormat(lmDumpSetFormat);
// Training logs: a folder one of these claims is a run of metrics, not checkpoints.
registerImportFormat(tensorboardFormat);
registerImportFormat(wandbFormat);
registerImportFormat(mlflowFormat);

export * from './registry';
