import { Table, Text, Title } from '@mantine/core';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Markdown rendered as React elements, never as HTML: react-markdown escapes raw HTML (without a raw-HTML plugin,
 * which this never loads), so markup that came from a machine's output shows as text and creates no element; it also
 * neutralises unsafe link URLs. Tables (GFM) are how the workers write plans and diffs.
 */
const components: Components = {
  h1: ({ children }) => (
    <Title order={3} size="h4">
      {children}
    </Title>
  ),
  h2: ({ children }) => (
    <Title order={4} size="h5" mt="sm">
      {children}
    </Title>
  ),
  h3: ({ children }) => (
    <Title order={5} size="h6" mt="xs">
      {children}
    </Title>
  ),
  p: ({ children }) => (
    <Text size="sm" my={4} style={{ overflowWrap: 'anywhere' }}>
      {children}
    </Text>
  ),
  table: ({ children }) => (
    <Table withTableBorder fz="xs" my={4}>
      {children}
    </Table>
  ),
  thead: ({ children }) => <Table.Thead>{children}</Table.Thead>,
  tbody: ({ children }) => <Table.Tbody>{children}</Table.Tbody>,
  tr: ({ children }) => <Table.Tr>{children}</Table.Tr>,
  th: ({ children }) => <Table.Th>{children}</Table.Th>,
  td: ({ children }) => <Table.Td style={{ overflowWrap: 'anywhere' }}>{children}</Table.Td>,
};

export default function ReportMarkdown({ source }: { source: string }) {
  return (
    <Markdown remarkPlugins={[remarkGfm]} components={components}>
      {source}
    </Markdown>
  );
}
