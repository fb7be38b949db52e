// The report's sections, one function (and one file) each: HTML fragments that the page
// (report.cc) puts in order inside <section id="..."> elements.
#pragma once

#include <string>

#include "report/study_view.h"

namespace qtune::report {

// A note in the page: what is missing and why ("No trial has finished yet.").
std::string note(std::string_view text);

std::string summary_section(const StudyView& view);
std::string history_section(const StudyView& view);
std::string parameters_section(const StudyView& view);
std::string images_section(const StudyView& view);
std::string trials_section(const StudyView& view);
std::string beliefs_section(const StudyView& view);
std::string timeline_section(const StudyView& view);

// The [trial] command of the study file with the trial's parameters in it, as one shell
// line ("cd DIR && ENV=.. cmd 'arg'"); empty without a [trial] table.
std::string reproduce_command(const StudyData& data, const store::TrialRecord& trial);

}  // namespace qtune::report
