import { Badge, Tooltip } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useRef, useState } from 'react';

/**
 * The blocked badge; on hover or keyboard focus, the reason in a tooltip. The tooltip is mounted only while shown: a
 * mounted Mantine Tooltip ran its floating-ui hooks in every blocked tile of the first screen (the default view shows
 * the blocked machines first) for a label few people ever open (ADR 0041).
 */
export function BlockedBadge({ label, reason }: { label: string; reason: string | null | undefined }) {
  const badge = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const show = () => setOpen(true);
  const hide = () => setOpen(false);
  return (
    <>
      <Badge
        ref={badge}
        color="red"
        variant="filled"
        leftSection={<IconLock size={12} aria-hidden />}
        tabIndex={0}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={hide}
      >
        {label}
      </Badge>
      {open && reason && <Tooltip target={badge} label={reason} opened />}
    </>
  );
}
