/** Names and words the generator draws from; shared strings keep 100,000 users small. */
export const GIVEN_NAMES = [
  'Adele', 'Alex', 'Allan', 'Amelia', 'Ana', 'Andre', 'Anika', 'Arjun', 'Ava', 'Ben', 'Bianca', 'Bruno', 'Carla', 'Carlos', 'Chen', 'Chloe',
  'Christie', 'Daniel', 'Diego', 'Dmitri', 'Elena', 'Emily', 'Emma', 'Enrico', 'Eva', 'Fatima', 'Felix', 'Fiona', 'Gabriel', 'Grace', 'Hana',
  'Hannah', 'Hiro', 'Ian', 'Ines', 'Irvin', 'Isaac', 'Isabella', 'Jakub', 'James', 'Jana', 'Javier', 'Johanna', 'Joni', 'Jose', 'Julia',
  'Kai', 'Karim', 'Kate', 'Lars', 'Laura', 'Lee', 'Leila', 'Liam', 'Lidia', 'Lina', 'Lucas', 'Lynne', 'Maya', 'Megan', 'Miguel', 'Mila',
  'Miriam', 'Mohammed', 'Nadia', 'Nathan', 'Nestor', 'Nina', 'Noah', 'Olga', 'Omar', 'Patti', 'Pedro', 'Pradeep', 'Priya', 'Rafael', 'Raj',
  'Rosa', 'Ruth', 'Sam', 'Sara', 'Sebastian', 'Sofia', 'Sven', 'Tariq', 'Tomas', 'Valentina', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe',
];

export const SURNAMES = [
  'Abbott', 'Adams', 'Ahmed', 'Alvarez', 'Andersen', 'Bauer', 'Becker', 'Bianchi', 'Brown', 'Campbell', 'Chen', 'Costa', 'Cruz', 'Da Silva',
  'Dubois', 'Dvorak', 'Eriksson', 'Evans', 'Fischer', 'Fernandez', 'Garcia', 'Gomez', 'Gupta', 'Hansen', 'Harris', 'Hoffmann', 'Ito', 'Ivanova',
  'Jensen', 'Johnson', 'Kapoor', 'Kim', 'Klein', 'Kowalski', 'Larsen', 'Lee', 'Lopez', 'Martin', 'Meyer', 'Moreau', 'Muller', 'Nakamura',
  'Nguyen', 'Novak', 'O\'Brien', 'Olsen', 'Patel', 'Perez', 'Petrov', 'Quinn', 'Ramos', 'Rossi', 'Russo', 'Sato', 'Schmidt', 'Silva',
  'Singh', 'Smith', 'Sousa', 'Suzuki', 'Tanaka', 'Taylor', 'Thomas', 'Tran', 'Varga', 'Wagner', 'Walker', 'Wang', 'Weber', 'Wilson',
  'Wong', 'Yamamoto', 'Young', 'Zhang', 'Zimmermann',
];

export const DEPARTMENTS: ReadonlyArray<{ name: string; titles: string[] }> = [
  { name: 'Engineering', titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager', 'QA Engineer'] },
  { name: 'Sales', titles: ['Account Executive', 'Sales Development Representative', 'Sales Manager', 'Solutions Consultant'] },
  { name: 'Marketing', titles: ['Marketing Specialist', 'Content Strategist', 'Product Marketing Manager', 'Marketing Director'] },
  { name: 'Finance', titles: ['Accountant', 'Financial Analyst', 'Controller', 'Payroll Specialist'] },
  { name: 'Human Resources', titles: ['HR Generalist', 'Recruiter', 'HR Business Partner', 'People Operations Lead'] },
  { name: 'Operations', titles: ['Operations Analyst', 'Logistics Coordinator', 'Facilities Manager', 'Operations Manager'] },
  { name: 'Customer Support', titles: ['Support Engineer', 'Customer Success Manager', 'Support Team Lead'] },
  { name: 'Legal', titles: ['Legal Counsel', 'Paralegal', 'Compliance Officer'] },
  { name: 'IT', titles: ['IT Administrator', 'Security Analyst', 'Helpdesk Technician', 'IT Manager'] },
  { name: 'Product', titles: ['Product Manager', 'Product Designer', 'UX Researcher', 'Head of Product'] },
  { name: 'Research', titles: ['Research Scientist', 'Data Scientist', 'Research Lead'] },
  { name: 'Procurement', titles: ['Buyer', 'Procurement Specialist', 'Vendor Manager'] },
];

export const OFFICES: ReadonlyArray<{ office: string; city: string; country: string; usageLocation: string; language: string }> = [
  { office: 'Seattle HQ', city: 'Seattle', country: 'United States', usageLocation: 'US', language: 'en-US' },
  { office: 'New York', city: 'New York', country: 'United States', usageLocation: 'US', language: 'en-US' },
  { office: 'London', city: 'London', country: 'United Kingdom', usageLocation: 'GB', language: 'en-GB' },
  { office: 'Berlin', city: 'Berlin', country: 'Germany', usageLocation: 'DE', language: 'de-DE' },
  { office: 'Paris', city: 'Paris', country: 'France', usageLocation: 'FR', language: 'fr-FR' },
  { office: 'Madrid', city: 'Madrid', country: 'Spain', usageLocation: 'ES', language: 'es-ES' },
  { office: 'Tel Aviv', city: 'Tel Aviv', country: 'Israel', usageLocation: 'IL', language: 'he-IL' },
  { office: 'Bangalore', city: 'Bangalore', country: 'India', usageLocation: 'IN', language: 'en-IN' },
  { office: 'Tokyo', city: 'Tokyo', country: 'Japan', usageLocation: 'JP', language: 'ja-JP' },
  { office: 'Sydney', city: 'Sydney', country: 'Australia', usageLocation: 'AU', language: 'en-AU' },
];

export const COMPANY_NAMES = ['Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Woodgrove', 'Litware', 'Adatum', 'Proseware', 'Wingtip', 'Alpine'];

export const GUEST_DOMAINS = ['fabrikam.com', 'partner.example', 'gmail.com', 'outlook.com', 'agency.example'];

export const GROUP_TOPICS = [
  'Project Atlas', 'Project Nova', 'Security Champions', 'Onboarding Buddies', 'Book Club', 'Hackathon', 'Sustainability', 'Wellbeing',
  'Leadership Forum', 'Mentoring', 'Release Train', 'Customer Advisory', 'Data Guild', 'Frontend Guild', 'Cloud Guild', 'Travel Desk',
];
