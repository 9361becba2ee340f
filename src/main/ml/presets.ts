/** Kept for existing imports: presets now live in the isomorphic domain layer (the UI lists them). */
export { GROKKING_MLP, PRESETS, PRESET_NAMES, preset, type Preset } from '../../shared/domain/presets';
