"""The screening app: `prismaflow serve`, a local web app over a review folder."""
