import { MetadataEditor } from './MetadataEditor';

/** The editable settings of a service, as the form holds them (text, before validation). */
export interface ServiceSettings {
  threshold: string;
  /** Metadata as `k=v` lines or JSON (see MetadataEditor). */
  metadata: string;
  selectorType: 'none' | 'label';
  expression: string;
}

/** The `selector` parameter of service create/update for these settings. */
export function selectorParam(settings: ServiceSettings): string {
  return JSON.stringify(settings.selectorType === 'label' ? { type: 'label', expression: settings.expression } : { type: 'none' });
}

/**
 * Protect threshold, metadata and selector fields, shared by the create and edit service dialogs.
 * Input ids are `<idPrefix>-threshold`, `-selector` and `-expr`; validation stays with the dialog.
 */
export function ServiceSettingsFields({ idPrefix, value, onChange }: { idPrefix: string; value: ServiceSettings; onChange: (next: ServiceSettings) => void }) {
  const set = (patch: Partial<ServiceSettings>) => onChange({ ...value, ...patch });
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-threshold`}>Protect threshold (0–1)</label>
        <input id={`${idPrefix}-threshold`} inputMode="decimal" value={value.threshold} onChange={(e) => set({ threshold: e.target.value })} />
        <small className="hint">When healthy/total falls to this ratio or below, clients get every instance (unhealthy ones too).</small>
      </div>
      <MetadataEditor value={value.metadata} onChange={(metadata) => set({ metadata })} />
      <div className="field">
        <label htmlFor={`${idPrefix}-selector`}>Selector</label>
        <select id={`${idPrefix}-selector`} value={value.selectorType} onChange={(e) => set({ selectorType: e.target.value === 'label' ? 'label' : 'none' })}>
          <option value="none">none</option>
          <option value="label">label</option>
        </select>
      </div>
      {value.selectorType === 'label' && (
        <div className="field">
          <label htmlFor={`${idPrefix}-expr`}>Label expression</label>
          <input
            id={`${idPrefix}-expr`}
            className="mono"
            value={value.expression}
            onChange={(e) => set({ expression: e.target.value })}
            placeholder="CONSUMER.label.zone = PROVIDER.label.zone"
          />
        </div>
      )}
    </>
  );
}
