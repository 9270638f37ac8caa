// Fused operations for hot paths where one native call replaces many small ones.
#include <ATen/ATen.h>
