//! lxconf-run: executes the normalized model as a container (filled by the runner work).
