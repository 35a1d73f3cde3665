{
  "targets": [
    {
      "target_name": "rvr_addon",
      "sources": [
        "native/addon/addon.cc",
        "native/addon/syscalls.cc"
      ],
      "include_dirs": [
        "native/include"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ],
      "cflags": [ "-Wall", "-Wextra" ],
      "cflags_cc": [ "-std=c++17", "-Wall", "-Wextra" ],
      "cflags_cc!": [ "-std=gnu++17", "-std=gnu++20", "-fno-exceptions" ],
      "libraries": [ "-ldl", "-lpthread" ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": [ "-Wall", "-Wextra" ]
      }
    }
  ]
}
