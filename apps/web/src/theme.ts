import { createTheme } from '@mantine/core';

// White text on the primary colour must reach 4.5:1 (shade 6 of indigo does not). Other contrast fixes are CSS
// (contrast.css): they must win over Mantine's own variables in both schemes.
export const theme = createTheme({ primaryColor: 'indigo', primaryShade: { light: 8, dark: 8 }, defaultRadius: 'md' });
