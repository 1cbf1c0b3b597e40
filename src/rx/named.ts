/** `{model: name}` when a pipeline names its model, nothing otherwise (so events stay minimal). */
export const named = (name: string | undefined): { model?: string } => (name === undefined ? {} : { model: name });
