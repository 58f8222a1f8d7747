"""Course content as files: parse and validate lessons and quizzes. No Flask, no database."""
from .loader import check_files, is_file_key, load_content, load_files
from .model import (ChoiceSource, ContentSet, CourseSource, CourseStatus, LessonSource, Problem,
                    QuestionSource, QuizSource, ReviewMode, Severity, ce_hours_basis,
                    ce_hours_problem, estimate_ce_hours)

__all__ = ["check_files", "is_file_key", "load_content", "load_files", "ChoiceSource", "ContentSet",
           "CourseSource", "CourseStatus", "LessonSource", "Problem", "QuestionSource",
           "QuizSource", "ReviewMode", "Severity", "ce_hours_basis", "ce_hours_problem",
           "estimate_ce_hours"]
