/** A setting that cannot be used as given: named, with what was expected (never its value when secret). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
