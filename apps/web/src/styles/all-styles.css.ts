// Every Mantine component's stylesheet, in the `mantine` layer: awaited by every lazy page (lazyPage in with-all-styles.ts),
// so a component the first screen did not need is styled before it shows.
// The rules the first screen already has come again in the same layer and order: nothing changes for them.
import '@mantine/core/styles.layer.css';
