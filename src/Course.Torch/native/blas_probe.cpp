// Prints the kernel set OpenBLAS picks by itself on this CPU (openblas_get_corename), in a process
// of its own: OpenBLAS chooses once, when it loads, so the engine asks here before libtorch loads
// it in the real process (NativeLoading in Native.cs). Run with OPENBLAS_CORETYPE unset.
// Arguments: the BLAS libraries libtorch links, tried in order. Exit 1 when none is OpenBLAS.
#include <dlfcn.h>
#include <cstdio>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    void* library = dlopen(argv[i], RTLD_LAZY | RTLD_LOCAL);
    if (!library) continue;
    auto corename = reinterpret_cast<char* (*)()>(dlsym(library, "openblas_get_corename"));
    if (corename) {
      std::printf("%s\n", corename());
      return 0;
    }
  }
  return 1;
}
