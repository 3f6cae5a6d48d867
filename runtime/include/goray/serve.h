// goray::serve::Handle: C++ code calling a Ray Serve deployment (docs/serve.md, "From
// C++"), a C++ one or a Python one, by its deployment and application names.
//
// Not part of goray/goray.h: include <goray/serve.h> where it is used. A call goes
// through Python in this process (goray.serve.call, which holds Serve's
// DeploymentHandle), so it works wherever goray runs C++ with Python beside it: a Serve
// replica (a C++ ingress composing deployments), a task or actor on Ray, the driver.
// It waits for the result; errors arrive as the C++ exceptions goray's in-process Python
// calls throw (goray::PythonError with the Python side's type and message).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "goray/local.h"

namespace goray::serve {

class Handle {
 public:
  // The deployment `deployment` of application `app` ("default": serve.run's default name).
  explicit Handle(std::string deployment, std::string app = "default")
      : deployment_(std::move(deployment)), app_(std::move(app)) {}

  // Calls `method` with `args` and waits: .Get<T>() decodes the result, as for any
  // in-process call (goray::LocalResult).
  template <class... Args>
  LocalResult Call(std::string_view method, const Args&... args) const {
    return LocalCallPyTask("goray.serve.call", app_, deployment_, std::string(method), timeout_s_,
                           args...);
  }

  // Calls wait at most `seconds` (then throw goray::PythonError, Serve's TimeoutError); by
  // default they wait as long as the deployment takes, as Serve's handles do.
  Handle& Timeout(double seconds) {
    timeout_s_ = seconds;
    return *this;
  }

  const std::string& deployment() const noexcept { return deployment_; }
  const std::string& app() const noexcept { return app_; }

 private:
  std::string deployment_;
  std::string app_;
  double timeout_s_ = -1;  // none
};

}  // namespace goray::serve
