"""The archive's records (archived years, their files and manifests): none yet."""
