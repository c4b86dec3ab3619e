import { useId } from 'react';
import { parseMetadata } from '../lib/metadata';

/**
 * A textarea for metadata (`k=v` per line or comma, or a JSON object) that validates as you type: it shows
 * the parse error under the field, or how many keys will be saved. The parent keeps the text and can call
 * `parseMetadata` itself on submit.
 */
export function MetadataEditor({ value, onChange, label = 'Metadata' }: { value: string; onChange: (text: string) => void; label?: string }) {
  const id = useId();
  const parsed = parseMetadata(value);
  const count = parsed.ok ? Object.keys(parsed.value).length : 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="mono"
        rows={4}
        value={value}
        placeholder={'version=1.0\nzone=a   (or a JSON object)'}
        spellCheck={false}
        aria-invalid={!parsed.ok}
        onChange={(event) => onChange(event.target.value)}
      />
      {parsed.ok ? (
        <small className="hint">{count === 0 ? 'no metadata' : `${count} key${count === 1 ? '' : 's'}`}</small>
      ) : (
        <small className="field-error" role="alert">
          {parsed.error}
        </small>
      )}
    </div>
  );
}
