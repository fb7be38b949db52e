// Compiled into a module that has no sources yet (see QtuneModule.cmake).
