// The built-in import formats, one registration each. Order is sniffing order: narrower before wider
// (a feature dump is a kind of .npz or .safetensors file).
import { featureDumpFormat } from './feature-dump-format';
import { npyFormat } from './npy-format';
import { npzFormat } from './npz-format';
import { registerImportFormat } from './registry';
import { safetensorsFormat } from './safetensors-format';
import { tfjsFormat } from './tfjs-format';
import { torchFormat } from './torch-format';

registerImportFormat(torchFormat);
registerImportFormat(featureDumpFormat);
registerImportFormat(safetensorsFormat);
registerImportFormat(npyFormat);
registerImportFormat(npzFormat);
registerImportFormat(tfjsFormat);

export * from './registry';
