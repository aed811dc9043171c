/**
 * A text field bound to one plan path. What it shows is the draft while one exists (the text being
 * typed, or refused text with the reason beside it), otherwise the plan's value. Enter commits the
 * value and keeps the focus in the field; Escape takes back refused text.
 */
import { useId, type KeyboardEvent } from 'react';
import { schema } from '../derive/schema.ts';
import type { FieldSpec } from '../state/fields.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import type { Path } from '../state/planEdit.ts';

type Props = {
  path: Path;
  spec: FieldSpec;
  /** Accessible name and the prefix of any error: `postgres limit`. */
  label: string;
  /** The plan's current value as text. */
  value: string;
  placeholder?: string;
  className?: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  testId?: string;
};

export function FieldInput({ path, spec, label, value, placeholder, className, inputMode, testId }: Props) {
  const key = schema().pathFormat(path);
  const draft = usePlanner((s) => s.drafts[key]);
  const { fieldEdit, fieldEnd, fieldRevert } = useActions();
  const errorId = useId();
  const invalid = draft?.message != null;
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape' && draft) {
      e.preventDefault();
      fieldRevert(path);
    }
    // Enter ends the typing run (one undo step) and keeps the focus here: blurring would send it to the page's body.
    if (e.key === 'Enter') {
      e.preventDefault();
      fieldEnd(path);
    }
  };
  return (
    <span className={`field${invalid ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <input
        type="text"
        aria-label={label}
        value={draft ? draft.text : value}
        placeholder={placeholder}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        data-testid={testId}
        onChange={(e) => fieldEdit(path, spec, e.target.value, label)}
        onBlur={() => fieldEnd(path)}
        onKeyDown={onKeyDown}
      />
      {invalid && (
        <span id={errorId} className="field-error">
          {draft.message}
        </span>
      )}
    </span>
  );
}
