# Installation layout and the Debian package (cpack -G DEB).
