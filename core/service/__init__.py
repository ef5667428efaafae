"""Using models outside the app's pages: batch predictions of a file, the prediction service (HTTP), access control."""
