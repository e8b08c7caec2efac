import { Alert, Select, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/auth';
import { AdminUnit, foldForSearch, useCommunes, useProvinces, useUnitLookup } from './use-admin-units';

export interface UnitPickerProps {
  /** The day the unit must be in force on (`YYYY-MM-DD`); the lists wait for it. */
  at: string | undefined;
  /** The commune code (antd Form.Item gives value and onChange). */
  value?: string;
  onChange?(code: string | undefined): void;
  /** The id of the commune select, for the Form.Item's label. */
  id?: string;
  /** Accessible names of the two selects. */
  provinceLabel: string;
  communeLabel: string;
}

function communeLabel(u: AdminUnit): string {
  return u.districtName ? `${u.fullName} (${u.districtName}) · ${u.code}` : `${u.fullName} · ${u.code}`;
}

/**
 * Province, then commune: only the units in force on the chosen day (before 1 July 2025 the old list
 * with its districts, from then the new one). A code can be typed into the commune box; a code of the
 * old list is shown with the unit of today it went into.
 */
export function UnitPicker({ at, value, onChange, id, provinceLabel, communeLabel: communeAria }: UnitPickerProps) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const provinces = useProvinces(at);
  const [picked, setProvince] = useState<string | undefined>(undefined);
  // The province picked if it is in force on the day, else the officer's own province.
  const province = useMemo(() => {
    const list = provinces.data ?? [];
    if (picked && list.some((p) => p.code === picked)) return picked;
    return list.find((p) => user?.provinces.includes(p.code))?.code;
  }, [provinces.data, picked, user]);
  const communes = useCommunes(at, province);

  // A commune not in force on the new day is cleared, so the form never sends a code the API refuses.
  useEffect(() => {
    if (value && communes.data && !communes.data.some((c) => c.code === value)) onChange?.(undefined);
  }, [communes.data, value, onChange]);

  const provinceOptions = useMemo(
    () => (provinces.data ?? []).map((p) => ({ value: p.code, label: p.fullName, search: foldForSearch(`${p.fullName} ${p.code}`) })),
    [provinces.data],
  );
  const communeOptions = useMemo(
    () => (communes.data ?? []).map((c) => ({ value: c.code, label: communeLabel(c), search: foldForSearch(`${communeLabel(c)}`) })),
    [communes.data],
  );
  const filter = (input: string, option?: { search: string }) => (option?.search ?? '').includes(foldForSearch(input));

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Select
        aria-label={provinceLabel}
        showSearch
        filterOption={filter}
        options={provinceOptions}
        value={province}
        onChange={(code: string) => {
          setProvince(code);
          onChange?.(undefined);
        }}
        loading={provinces.isLoading}
        disabled={!at}
        placeholder={at ? t('register.units.chooseProvince') : t('register.units.dateFirst')}
      />
      <Select
        id={id}
        aria-label={communeAria}
        showSearch
        filterOption={filter}
        options={communeOptions}
        value={value}
        onChange={(code: string) => onChange?.(code)}
        loading={communes.isLoading}
        disabled={!at || !province}
        placeholder={t('register.units.chooseCommune')}
        notFoundContent={t('register.units.noMatch')}
      />
      <UnitMapping code={value} at={at} />
    </Space>
  );
}

/** What the chosen code is on the day, and what it is today when it is a code of the old list. */
export function UnitMapping({ code, at }: { code: string | undefined; at: string | undefined }) {
  const { t } = useTranslation();
  const lookup = useUnitLookup(code, at);
  const found = lookup.data;
  if (!found || !at) return null;
  const now = found.currentUnits.map((u) => `${u.fullName}, ${u.provinceName} (${u.code})`).join('; ');
  if (found.oldUnit) {
    const old = found.oldUnit;
    return (
      <Alert
        type="info"
        showIcon
        role="status"
        message={t('register.units.oldCode', { code: old.code, unit: old.districtName ? `${old.fullName}, ${old.districtName}` : old.fullName })}
        description={now ? t('register.units.mapsTo', { units: now }) : t('register.units.mapsToNothing')}
      />
    );
  }
  return null;
}
