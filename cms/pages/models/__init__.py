from .announcements import AnnouncementIndexPage, AnnouncementPage
from .archive import ArchivePage
from .base import PortalPage
from .experience import ExperienceArticlePage, ExperienceDistrictPage, ExperienceIndexPage
from .home import HomePage
from .regulations import RegulationAttachment, RegulationIndexPage, RegulationPage
from .reports import ReportAttachment, ReportIndexPage, ReportPage, StudyAttachment, StudyIndexPage, StudyPage
from .sections import DistrictSectionPage

__all__ = [
    "AnnouncementIndexPage",
    "AnnouncementPage",
    "ArchivePage",
    "DistrictSectionPage",
    "ExperienceArticlePage",
    "ExperienceDistrictPage",
    "ExperienceIndexPage",
    "HomePage",
    "PortalPage",
    "RegulationAttachment",
    "RegulationIndexPage",
    "RegulationPage",
    "ReportAttachment",
    "ReportIndexPage",
    "ReportPage",
    "StudyAttachment",
    "StudyIndexPage",
    "StudyPage",
]
