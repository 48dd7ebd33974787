import { Button, Group } from '@mantine/core';
import { useState } from 'react';
import { useT } from '../preferences/preferences.tsx';

/** A destructive action asks once more, in place: the first press arms it, the second does it, Escape or "Keep" backs out. */
export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  loading?: boolean;
}) {
  const t = useT();
  const [armed, setArmed] = useState(false);
  if (!armed)
    return (
      <Button variant="light" color="red" size="xs" onClick={() => setArmed(true)}>
        {props.label}
      </Button>
    );
  return (
    <Group gap={4} wrap="nowrap" onKeyDown={(e) => e.key === 'Escape' && setArmed(false)}>
      <Button
        color="red"
        size="xs"
        loading={props.loading}
        autoFocus
        onClick={() => {
          setArmed(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </Button>
      <Button variant="subtle" size="xs" onClick={() => setArmed(false)}>
        {t('common.keep')}
      </Button>
    </Group>
  );
}
