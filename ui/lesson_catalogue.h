#pragma once

#include "lesson.h"

namespace quantscope {

// One function per lesson (lesson_NAME.cpp), listed in order by allLessons().
Lesson makeLinearLesson();
Lesson makeClippingLesson();
Lesson makeLloydMaxLesson();
Lesson makeWeqLesson();
Lesson makeWeqLogLesson();
Lesson makeIntegerLesson();
Lesson makeDsqLesson();
Lesson makeBlocksLesson();

// Helpers the lessons share.
LessonTensor demoLessonTensor(const QString& name);
// Values v with v == 0 exactly, as a fraction of the finite values.
double zeroFraction(const Distribution& dist);
// The explorer's view names (object names) a step can emphasise.
namespace views {
inline const QString kHistogram = QStringLiteral("histogramView");
inline const QString kTransfer = QStringLiteral("transferView");
inline const QString kErrorHistogram = QStringLiteral("errorHistogramView");
inline const QString kRateDistortion = QStringLiteral("rateDistortionView");
inline const QString kComparison = QStringLiteral("comparisonTable");
inline const QString kTeaching = QStringLiteral("teachingPanel");
inline const QString kMetrics = QStringLiteral("metricsView");
inline const QString kBlockScales = QStringLiteral("blockScaleView");
inline const QString kErrorProfile = QStringLiteral("errorProfileView");
inline const QString kPipeline = QStringLiteral("integerPipelineView");
inline const QString kPipelineInputs = QStringLiteral("integerPipelineInputs");
// The slider and spin box of one scheme parameter.
inline QString param(const QString& name)
{
    return QStringLiteral("param_") + name;
}
} // namespace views

} // namespace quantscope
