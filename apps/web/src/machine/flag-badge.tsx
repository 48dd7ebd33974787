import { Badge, Tooltip } from '@mantine/core';

/**
 * A package flag (security, kept back, held, phased) with what it means in a tooltip that opens on hover, touch and
 * keyboard focus; the explanation is also the button's accessible description, so a screen reader hears it.
 */
export function FlagBadge({ label, explanation, color }: { label: string; explanation: string; color: string }) {
  return (
    <Tooltip label={explanation} multiline w={260} events={{ hover: true, focus: true, touch: true }} withArrow>
      <Badge
        component="button"
        type="button"
        color={color}
        variant="light"
        size="sm"
        aria-label={`${label}: ${explanation}`}
        style={{ cursor: 'help' }}
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
