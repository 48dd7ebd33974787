import { z } from 'zod';

/** Values given to a post-install recipe: scalars or lists of strings (each then checked against its declared type). */
export const recipeValuesSchema = z.record(
  z.string().max(64),
  z.union([z.string().max(65536), z.number(), z.boolean(), z.array(z.string().max(4096)).max(500)]),
);
export type RecipeValues = z.infer<typeof recipeValuesSchema>;
