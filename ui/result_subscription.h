#pragma once

#include "explorer_controller.h"

namespace quantscope {

// Points a view at `next`: drops its connections to `current`, then has `refresh` called
// whenever `next`'s result or loaded tensor changes. Returns `next`, for the view to keep.
template <typename View>
ExplorerController* followResults(View* view, ExplorerController* current, ExplorerController* next,
                                  void (View::*refresh)())
{
    if (current != nullptr) {
        QObject::disconnect(current, nullptr, view, nullptr);
    }
    if (next != nullptr) {
        QObject::connect(next, &ExplorerController::resultChanged, view, refresh);
        QObject::connect(next, &ExplorerController::loadFinished, view, refresh);
    }
    return next;
}

} // namespace quantscope
