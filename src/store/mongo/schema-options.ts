/** Options every collection's schema shares: indexes and collections are made explicitly at open, never by mongoose. */
export const schemaOptions = {
  autoCreate: false,
  autoIndex: false,
  versionKey: false,
  strict: true,
  // No mongoose-managed createdAt/updatedAt: the caller passes `now`.
  timestamps: false,
} as const;
