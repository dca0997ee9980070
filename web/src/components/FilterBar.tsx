/** The filter bar above a list: a search form (first page again on submit), its selects and its search box. */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { useI18n } from '../lib/i18n';

/** `role="search"` form; `onSubmit` runs without reloading. Without `searchButton` the filters apply as they change. */
export function FilterBar({ onSubmit, searchButton = true, children }: { onSubmit: () => void; searchButton?: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <form
      className="filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      {searchButton && <button type="submit">{t('common.search')}</button>}
    </form>
  );
}

/** A labelled select; with `all`, a first option of value "" (no filter) under that label. */
export function FilterSelect<T extends string>({
  label,
  value,
  onChange,
  all,
  options,
  optionLabel,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  all?: string;
  options: readonly T[];
  optionLabel: (option: T) => string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A labelled search box; other input attributes (maxLength, inputMode) pass through. */
export function SearchField({ label, value, onChange, ...input }: { label: string; value: string; onChange: (value: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'value' | 'onChange'>) {
  return (
    <label>
      {label}
      <input type="search" {...input} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
